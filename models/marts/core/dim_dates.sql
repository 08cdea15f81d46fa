-- One row per calendar day from var('dim_dates_start_date') to var('dim_dates_end_date').

with

days as (

    {{ date_spine(
        'day',
        "cast('" ~ var('dim_dates_start_date') ~ "' as date)",
        "cast('" ~ var('dim_dates_end_date') ~ "' as date)",
    ) }}

),

calendar as (

    select
        cast(date_day as date) as date_day,
        cast(extract(year from date_day) as integer) as year_number,
        cast(extract(quarter from date_day) as integer) as quarter_number,
        cast(extract(month from date_day) as integer) as month_number,
        cast(extract(day from date_day) as integer) as day_of_month,
        cast(extract(isodow from date_day) as integer) as iso_day_of_week,
        cast(extract(isodow from date_day) as integer) in (6, 7) as is_weekend,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start_date
    from days

)

select * from calendar
